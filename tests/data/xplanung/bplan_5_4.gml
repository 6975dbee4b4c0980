<?xml version="1.0" encoding="UTF-8"?>
<!-- Test data for layers/xplanung.py: a small, invented Bebauungsplan in XPlanGML 5.4.
     Areas: WA (GRZ 0.4, GFZ 1.2, Z 3) 6000 m2, MI (GRZ 0.6 only, trapezoid) 3600 m2,
     public green bounded by a half circle (gml:Arc) 6000 + pi * 75^2 / 2 m2,
     street and parking (BP_StrassenVerkehrsFlaeche, gml:MultiSurface of two parts) 2100 m2.
     The MI polygon has no srsName of its own: the document's envelope gives EPSG:25832. -->
<xplan:XPlanAuszug xmlns:xplan="http://www.xplanung.de/xplangml/5/4"
    xmlns:gml="http://www.opengis.net/gml/3.2"
    xmlns:xlink="http://www.w3.org/1999/xlink"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
    xsi:schemaLocation="http://www.xplanung.de/xplangml/5/4 http://repository.gdi-de.org/schemas/de.xleitstelle.xplanung/5.4/XPlanung-Operationen.xsd"
    gml:id="GML_auszug_b54">
  <gml:boundedBy>
    <gml:Envelope srsName="EPSG:25832">
      <gml:lowerCorner>633000 5496990</gml:lowerCorner>
      <gml:upperCorner>633200 5497175</gml:upperCorner>
    </gml:Envelope>
  </gml:boundedBy>
  <gml:featureMember>
    <xplan:BP_Plan gml:id="GML_b54_plan">
      <xplan:name>Testplan Birkenweg</xplan:name>
      <xplan:nummer>B 54</xplan:nummer>
      <xplan:raeumlicherGeltungsbereich>
        <gml:Polygon gml:id="GML_b54_plan_geom" srsName="EPSG:25832">
          <gml:exterior>
            <gml:LinearRing>
              <gml:posList srsDimension="2">633000 5496990 633200 5496990 633200 5497175 633000 5497175 633000 5496990</gml:posList>
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
      <xplan:bereich xlink:href="#GML_b54_bereich"/>
    </xplan:BP_Plan>
  </gml:featureMember>
  <gml:featureMember>
    <xplan:BP_Bereich gml:id="GML_b54_bereich">
      <xplan:nummer>0</xplan:nummer>
      <xplan:planinhalt xlink:href="#GML_b54_wa"/>
      <xplan:planinhalt xlink:href="#GML_b54_mi"/>
      <xplan:planinhalt xlink:href="#GML_b54_gruen"/>
      <xplan:planinhalt xlink:href="#GML_b54_strasse"/>
      <xplan:planinhalt xlink:href="#GML_b54_baugrenze_1"/>
      <xplan:planinhalt xlink:href="#GML_b54_baugrenze_2"/>
      <xplan:gehoertZuPlan xlink:href="#GML_b54_plan"/>
    </xplan:BP_Bereich>
  </gml:featureMember>
  <gml:featureMember>
    <xplan:BP_BaugebietsTeilFlaeche gml:id="GML_b54_wa">
      <xplan:gehoertZuBereich xlink:href="#GML_b54_bereich"/>
      <xplan:rechtscharakter>1000</xplan:rechtscharakter>
      <xplan:position>
        <gml:Polygon gml:id="GML_b54_wa_geom" srsName="EPSG:25832">
          <gml:exterior>
            <gml:LinearRing>
              <gml:posList srsDimension="2">633000 5497000 633100 5497000 633100 5497060 633000 5497060 633000 5497000</gml:posList>
            </gml:LinearRing>
          </gml:exterior>
        </gml:Polygon>
      </xplan:position>
      <xplan:flaechenschluss>true</xplan:flaechenschluss>
      <xplan:GFZ>1.2</xplan:GFZ>
      <xplan:GRZ>0.4</xplan:GRZ>
      <xplan:Z>3</xplan:Z>
      <xplan:allgArtDerBaulNutzung>1000</xplan:allgArtDerBaulNutzung>
      <xplan:besondereArtDerBaulNutzung>1200</xplan:besondereArtDerBaulNutzung>
    </xplan:BP_BaugebietsTeilFlaeche>
  </gml:featureMember>
  <gml:featureMember>
    <xplan:BP_BaugebietsTeilFlaeche gml:id="GML_b54_mi">
      <xplan:gehoertZuBereich xlink:href="#GML_b54_bereich"/>
      <xplan:rechtscharakter>1000</xplan:rechtscharakter>
      <xplan:position>
        <gml:Polygon gml:id="GML_b54_mi_geom">
          <gml:exterior>
            <gml:LinearRing>
              <gml:posList srsDimension="2">633100 5497000 633170 5497000 633150 5497060 633100 5497060 633100 5497000</gml:posList>
            </gml:LinearRing>
          </gml:exterior>
        </gml:Polygon>
      </xplan:position>
      <xplan:flaechenschluss>true</xplan:flaechenschluss>
      <xplan:GRZ>0.6</xplan:GRZ>
      <xplan:besondereArtDerBaulNutzung>1500</xplan:besondereArtDerBaulNutzung>
    </xplan:BP_BaugebietsTeilFlaeche>
  </gml:featureMember>
  <gml:featureMember>
    <xplan:BP_GruenFlaeche gml:id="GML_b54_gruen">
      <xplan:gehoertZuBereich xlink:href="#GML_b54_bereich"/>
      <xplan:rechtscharakter>1000</xplan:rechtscharakter>
      <xplan:position>
        <gml:Polygon gml:id="GML_b54_gruen_geom" srsName="EPSG:25832">
          <gml:exterior>
            <gml:Ring>
              <gml:curveMember>
                <gml:Curve gml:id="GML_b54_gruen_curve">
                  <gml:segments>
                    <gml:LineStringSegment interpolation="linear">
                      <gml:posList srsDimension="2">633000 5497100 633000 5497060 633100 5497060 633150 5497060 633150 5497100</gml:posList>
                    </gml:LineStringSegment>
                    <gml:Arc interpolation="circularArc3Points">
                      <gml:posList srsDimension="2">633150 5497100 633075 5497175 633000 5497100</gml:posList>
                    </gml:Arc>
                  </gml:segments>
                </gml:Curve>
              </gml:curveMember>
            </gml:Ring>
          </gml:exterior>
        </gml:Polygon>
      </xplan:position>
      <xplan:flaechenschluss>true</xplan:flaechenschluss>
      <xplan:zweckbestimmung>1000</xplan:zweckbestimmung>
      <xplan:nutzungsform>2000</xplan:nutzungsform>
    </xplan:BP_GruenFlaeche>
  </gml:featureMember>
  <gml:featureMember>
    <xplan:BP_StrassenVerkehrsFlaeche gml:id="GML_b54_strasse">
      <xplan:gehoertZuBereich xlink:href="#GML_b54_bereich"/>
      <xplan:rechtscharakter>1000</xplan:rechtscharakter>
      <xplan:position>
        <gml:MultiSurface gml:id="GML_b54_strasse_geom" srsName="EPSG:25832">
          <gml:surfaceMember>
            <gml:Polygon gml:id="GML_b54_strasse_geom_1">
              <gml:exterior>
                <gml:LinearRing>
                  <gml:posList srsDimension="2">633000 5496990 633170 5496990 633170 5497000 633100 5497000 633000 5497000 633000 5496990</gml:posList>
                </gml:LinearRing>
              </gml:exterior>
            </gml:Polygon>
          </gml:surfaceMember>
          <gml:surfaceMember>
            <gml:Polygon gml:id="GML_b54_strasse_geom_2">
              <gml:exterior>
                <gml:LinearRing>
                  <gml:posList srsDimension="2">633180 5497000 633200 5497000 633200 5497020 633180 5497020 633180 5497000</gml:posList>
                </gml:LinearRing>
              </gml:exterior>
            </gml:Polygon>
          </gml:surfaceMember>
        </gml:MultiSurface>
      </xplan:position>
      <xplan:flaechenschluss>true</xplan:flaechenschluss>
      <xplan:nutzungsform>2000</xplan:nutzungsform>
    </xplan:BP_StrassenVerkehrsFlaeche>
  </gml:featureMember>
  <gml:featureMember>
    <xplan:BP_BauGrenze gml:id="GML_b54_baugrenze_1">
      <xplan:gehoertZuBereich xlink:href="#GML_b54_bereich"/>
      <xplan:rechtscharakter>1000</xplan:rechtscharakter>
      <xplan:position>
        <gml:LineString gml:id="GML_b54_baugrenze_1_geom" srsName="EPSG:25832">
          <gml:posList srsDimension="2">633005 5497005 633095 5497005 633095 5497055</gml:posList>
        </gml:LineString>
      </xplan:position>
    </xplan:BP_BauGrenze>
  </gml:featureMember>
  <gml:featureMember>
    <xplan:BP_BauGrenze gml:id="GML_b54_baugrenze_2">
      <xplan:gehoertZuBereich xlink:href="#GML_b54_bereich"/>
      <xplan:rechtscharakter>1000</xplan:rechtscharakter>
      <xplan:position>
        <gml:LineString gml:id="GML_b54_baugrenze_2_geom" srsName="EPSG:25832">
          <gml:posList srsDimension="2">633105 5497005 633160 5497005 633145 5497055</gml:posList>
        </gml:LineString>
      </xplan:position>
    </xplan:BP_BauGrenze>
  </gml:featureMember>
  <gml:featureMember>
    <xplan:BP_TextAbschnitt gml:id="GML_b54_text">
      <xplan:schluessel>§ 1</xplan:schluessel>
      <xplan:text>Im Mischgebiet sind Vergnügungsstätten nicht zulässig.</xplan:text>
      <xplan:rechtscharakter>1000</xplan:rechtscharakter>
    </xplan:BP_TextAbschnitt>
  </gml:featureMember>
</xplan:XPlanAuszug>
