<?xml version="1.0" encoding="UTF-8"?>
<!-- Test data for layers/xplanung.py, deliberately broken: besondereArtDerBaulNutzung 1200 (WA) under allgArtDerBaulNutzung 3000 (gewerbliche Baufläche). -->
<xplan:XPlanAuszug xmlns:xplan="http://www.xplanung.de/xplangml/6/0"
    xmlns:gml="http://www.opengis.net/gml/3.2"
    xmlns:xlink="http://www.w3.org/1999/xlink"
    gml:id="GML_auszug_bad">
  <gml:boundedBy>
    <gml:Envelope srsName="EPSG:25832">
      <gml:lowerCorner>633000 5497000</gml:lowerCorner>
      <gml:upperCorner>633100 5497100</gml:upperCorner>
    </gml:Envelope>
  </gml:boundedBy>
  <gml:featureMember>
    <xplan:BP_Plan gml:id="GML_bad_plan">
      <xplan:name>Fehlerhafter Testplan</xplan:name>
      <xplan:raeumlicherGeltungsbereich>
        <gml:Polygon gml:id="GML_bad_plan_geom" srsName="EPSG:25832">
          <gml:exterior>
            <gml:LinearRing>
              <gml:posList srsDimension="2">633000 5497000 633100 5497000 633100 5497100 633000 5497100 633000 5497000</gml:posList>
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
      <xplan:bereich xlink:href="#GML_bad_bereich"/>
    </xplan:BP_Plan>
  </gml:featureMember>
  <gml:featureMember>
    <xplan:BP_Bereich gml:id="GML_bad_bereich">
      <xplan:nummer>0</xplan:nummer>
      <xplan:planinhalt xlink:href="#GML_bad_art"/>
      <xplan:gehoertZuPlan xlink:href="#GML_bad_plan"/>
    </xplan:BP_Bereich>
  </gml:featureMember>
  <gml:featureMember>
    <xplan:BP_BaugebietsTeilFlaeche gml:id="GML_bad_art">
      <xplan:gehoertZuBereich xlink:href="#GML_bad_bereich"/>
      <xplan:rechtscharakter>1000</xplan:rechtscharakter>
      <xplan:position>
        <gml:Polygon gml:id="GML_bad_art_geom" srsName="EPSG:25832">
          <gml:exterior>
            <gml:LinearRing>
              <gml:posList srsDimension="2">633000 5497000 633100 5497000 633100 5497100 633000 5497100 633000 5497000</gml:posList>
            </gml:LinearRing>
          </gml:exterior>
        </gml:Polygon>
      </xplan:position>
      <xplan:flaechenschluss>true</xplan:flaechenschluss>
      <xplan:GRZ>0.4</xplan:GRZ>
      <xplan:allgArtDerBaulNutzung>3000</xplan:allgArtDerBaulNutzung>
      <xplan:besondereArtDerBaulNutzung>1200</xplan:besondereArtDerBaulNutzung>
    </xplan:BP_BaugebietsTeilFlaeche>
  </gml:featureMember>
</xplan:XPlanAuszug>
