<?xml version="1.0" encoding="UTF-8"?>
<!-- Test data for layers/xplanung.py, deliberately broken: bplan_6_0.gml cut off in the
     middle of an element, as after an interrupted download. -->
<xplan:XPlanAuszug xmlns:xplan="http://www.xplanung.de/xplangml/6/0"
    xmlns:gml="http://www.opengis.net/gml/3.2"
    xmlns:xlink="http://www.w3.org/1999/xlink"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
    xsi:schemaLocation="http://www.xplanung.de/xplangml/6/0 http://repository.gdi-de.org/schemas/de.xleitstelle.xplanung/6.0/XPlanung-Operationen.xsd"
    gml:id="GML_auszug_b60">
  <gml:boundedBy>
    <gml:Envelope srsName="EPSG:25832">
      <gml:lowerCorner>633800 5497790</gml:lowerCorner>
      <gml:upperCorner>633960 5497900</gml:upperCorner>
    </gml:Envelope>
  </gml:boundedBy>
  <gml:featureMember>
    <xplan:BP_Plan gml:id="GML_b60_plan">
      <xplan:name>Testplan Lerchenfeld</xplan:name>
      <xplan:nummer>B 60</xplan:nummer>
      <xplan:raeumlicherGeltungsbereich>
        <gml:Polygon gml:id="GML_b60_plan_geom" srsName="EPSG:25832">
          <gml:exterior>
            <gml:LinearRing>
              <gml:posList srsDimension="2">633800 5497790 633960 5497790 633960 5497900 633800 5497900 633800 5497790</gml:posList>
            </gml:LinearRing>
          </gml:exterior>
        </gml:Polygon>
      </xplan:raeumlicherGeltungsbereich>
      <xplan:gemeinde>
        <xplan:XP_Gemeinde>
          <xplan:ags>09999999</xplan:ags>
          <xplan:gemeindeName>Musterstadt</xplan:gemeindeName>
        </xplan:XP_Gemeinde>
      </xplan:gemeinde>
      <xplan:planArt>1000</xplan:planArt>
      <xplan:rechtsstand>3000</xplan:rechtsstand>
      <xplan:bereich xlink:href="#GML_b60_bereich"/>
    </xplan:BP_Plan>
  </gml:featureMember>
  <gml:featureMember>
    <xplan:BP_Bereich gml:id="GML_b60_bereich">
      <xplan:nummer>0</xplan:nummer>
      <xplan:planinhalt xlink:href="#GML_b60_wa"/>
      <xplan:planinhalt xlink:href="#GML_b60_mi"/>
      <xplan:planinhalt xlink:href="#GML_b60_gruen"/>
      <xplan:planinhalt xlink:href="#GML_b60_strasse"/>
      <xplan:planinhalt xlink:href="#GML_b60_baugrenze"/>
      <xplan:gehoertZuPlan xlink:href="#GML_b60_plan"/>
    </xplan:BP_Bereich>
  </gml:featureMember>
  <gml:featureMember>
    <xplan:BP_BaugebietsTeilFlaeche gml:id="GML_b60_wa">
      <xplan:gehoertZuBereich xlink:href="#GML_b60_bereich"/>
      <xplan:rechtscharakter>1000</xplan:rechtscharakter>
      <xplan:position>
        <gml:Polygon gml:id="GML_b60_wa_geom" srsName="urn:ogc:def:crs:EPSG::25832">
          <gml:exterior>
            <gml:LinearRing>
              <gml:posList srsDimension="2">633800 5497800 633900 5497800 633900 5497850 633850 5497880 633800 5497850 633800 5497800</gml:posList>
            </gml:LinearRing>
          </gml:exterior>
        </gml:Polygon>
      </xplan:position>
      <xplan:flaechenschluss>true</xplan:flaechenschluss>
      <xplan:GFZ>1.2</xplan:GFZ>
      <xplan:GRZ>0